#!/usr/bin/env bash
# Builds and installs Citus for PostgreSQL 15 from a git directory or a source
# tree outside this repository (nothing of Citus is copied into attrib):
#
#   CITUS_GIT=/path/to/citus/.git  [CITUS_REF=v13.2.2]   # a checkout of CITUS_REF into CITUS_BUILD
#   CITUS_SRC=/path/to/citus-source-tree                  # built in place
#
# CITUS_BUILD (default ${TMPDIR:-/tmp}/attrib-citus-build) holds the checkout
# and a stamp file with the commit that was installed; the build is skipped
# when the installed citus.so is the one that stamp names. Prints the Citus
# commit on its last line of stdout.
set -euo pipefail

PG_CONFIG=${PG_CONFIG:-/usr/lib/postgresql/15/bin/pg_config}
CITUS_REF=${CITUS_REF:-v13.2.2}
CITUS_BUILD=${CITUS_BUILD:-${TMPDIR:-/tmp}/attrib-citus-build}
LIBDIR=$("$PG_CONFIG" --pkglibdir)
STAMP="$CITUS_BUILD/installed.stamp"

mkdir -p "$CITUS_BUILD"
log() { echo "citus-build: $*" >&2; }

if [ -n "${CITUS_SRC:-}" ]; then
  SRC=$(cd "$CITUS_SRC" && pwd)
  COMMIT=$(git -C "$SRC" rev-parse HEAD 2>/dev/null || echo "src:$(cd "$SRC" && find . -name '*.c' -newer configure 2>/dev/null | wc -l)-$(stat -c %Y "$SRC/configure")")
elif [ -n "${CITUS_GIT:-}" ]; then
  COMMIT=$(git --git-dir="$CITUS_GIT" rev-parse "$CITUS_REF^{commit}")
  SRC=$CITUS_BUILD/src
else
  echo "error: set CITUS_GIT (a Citus git directory, e.g. /work/.mirror/citusdata+citus/repo) or CITUS_SRC (a source tree)" >&2
  exit 2
fi

so_sum() { sha256sum "$LIBDIR/citus.so" 2>/dev/null | cut -d' ' -f1; }
if [ -f "$STAMP" ] && [ "$(sed -n 1p "$STAMP")" = "$COMMIT" ] && [ "$(sed -n 2p "$STAMP")" = "$(so_sum)" ] \
   && [ "$(sed -n 3p "$STAMP")" = "$("$PG_CONFIG" --version)" ]; then
  log "citus $COMMIT already installed in $LIBDIR"
  echo "$COMMIT"
  exit 0
fi

# What compiling Citus needs (PostgreSQL's server headers, which include
# GSSAPI's, lz4 and zstd), from Debian's packages like everything else attrib
# uses. The headers come at the archive's newest minor release, and apt
# upgrades the server to it: a cluster left running then loads the new
# release's libraries into the old server, so say so.
PG_BEFORE=$("$PG_CONFIG" --version)
bash "$(dirname "$0")/install-deps.sh" postgresql-server-dev-15 libkrb5-dev liblz4-dev libzstd-dev
if [ "$("$PG_CONFIG" --version)" != "$PG_BEFORE" ]; then
  log "warning: installing the headers upgraded $PG_BEFORE to $("$PG_CONFIG" --version);" \
      "restart every running cluster (attrib db down; attrib db up) before using it"
fi

if [ -n "${CITUS_GIT:-}" ]; then
  log "checking out $CITUS_REF ($COMMIT) into $SRC"
  rm -rf "$SRC"
  mkdir -p "$SRC"
  git --git-dir="$CITUS_GIT" archive "$COMMIT" | tar -x -C "$SRC"
fi

# Citus 13.2 carries its own copy of have_createdb_privilege() for PostgreSQL
# before 15.18, whose minor release made the server's own non-static: wrap
# Citus's copy so that it is compiled only for older servers.
COMPAT=$SRC/src/include/pg_version_compat.h
if ! grep -q '^#if PG_VERSION_NUM < 150018 /\* attrib' "$COMPAT"; then
  sed -i \
    -e '/^static inline bool$/{N;s/^\(static inline bool\nhave_createdb_privilege(void)\)$/#if PG_VERSION_NUM < 150018 \/* attrib *\/\n\1/}' \
    -e '/^have_createdb_privilege(void)$/M,/^}$/{/^}$/s/$/\n#endif/}' "$COMPAT"
  grep -q '^#if PG_VERSION_NUM < 150018 /\* attrib' "$COMPAT" \
    || { echo "error: have_createdb_privilege() not found in $COMPAT in the expected form" >&2; exit 1; }
fi

cd "$SRC"
if [ ! -f Makefile.global ] || [ "$(cat .attrib-configured 2>/dev/null)" != "$COMMIT" ]; then
  log "configure"
  ./configure PG_CONFIG="$PG_CONFIG" --without-libcurl >&2
  echo "$COMMIT" > .attrib-configured
fi
log "make -j${CITUS_JOBS:-2}"
make -j"${CITUS_JOBS:-2}" >&2
make install >&2
printf '%s\n%s\n%s\n' "$COMMIT" "$(so_sum)" "$("$PG_CONFIG" --version)" > "$STAMP"
log "installed citus $COMMIT into $LIBDIR"
echo "$COMMIT"
