"""A throwaway local PostgreSQL 15 cluster for the demo, the tests and benchmarks.

It lives in the project (`.pgdata/`, ignored by git), listens on 127.0.0.1
only and preloads pg_cron. It trusts the superuser and Unix sockets, but
attrib's runner and the reader's logins give a scram password over TCP, as
on a production server, so the tests log in the way users do (HBA below).
It is for development: fsync is off, so a crash of the machine can lose it.
Never point it at data you care about.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
from dataclasses import dataclass
from pathlib import Path

import psycopg
from psycopg import sql

from .errors import AttribError
from .paths import is_clone, project_root

PG_BIN = Path("/usr/lib/postgresql/15/bin")
EXTENSION_DIR = Path("/usr/share/postgresql/15/extension")
REQUIRED_FILES = [
    PG_BIN / "pg_ctl",
    EXTENSION_DIR / "pg_partman.control",
    EXTENSION_DIR / "pgtap.control",
    EXTENSION_DIR / "pg_cron.control",
]
DEFAULT_PORT = 55432
DEFAULT_DATABASE = "attrib"

SETTINGS = {
    "listen_addresses": "'127.0.0.1'",
    "shared_preload_libraries": "'pg_cron,pg_stat_statements'",
    "cron.database_name": f"'{DEFAULT_DATABASE}'",
    "max_connections": "200",
    "shared_buffers": "'1GB'",
    "work_mem": "'256MB'",
    "maintenance_work_mem": "'512MB'",
    "max_wal_size": "'4GB'",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "timezone": "'UTC'",
    "log_min_messages": "warning",
}

# pg_cron connects to the jobs' database as the runner: through the socket
# directory (cron.host, set at initdb), which HBA trusts, as a production
# server would trust it through a pg_hba line or .pgpass (README, Security).
# The owner is NOLOGIN, except on a Citus worker, where it logs in with the
# password only the coordinator's superuser-only pg_dist_authinfo holds
# (README, Security): a scram line for it, never trust.
HBA = """# attrib's local development cluster (written by `attrib db up`)
local all all                                        trust
host  all postgres                                   127.0.0.1/32 trust
host  all attrib_runner,+attrib_reader,attrib_owner  127.0.0.1/32 scram-sha-256
host  all all                                        127.0.0.1/32 trust
"""


@dataclass(frozen=True)
class Cluster:
    datadir: Path
    port: int

    @property
    def dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{DEFAULT_DATABASE}"

    def dsn_for(self, database: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"


def default_cluster(port: int | None = None, datadir: str | None = None) -> Cluster:
    port = port or int(os.environ.get("ATTRIB_PGPORT", DEFAULT_PORT))
    # in a clone, beside the code (git-ignored); from an installed wheel, in the user's data folder
    base = project_root() / ".pgdata" if is_clone() else Path.home() / ".local" / "share" / "attrib" / "pgdata"
    path = datadir or os.environ.get("ATTRIB_PGDATA") or str(base / f"pg15-{port}")
    return Cluster(Path(path).resolve(), port)


def _as_owner(args: list[str]) -> list[str]:
    # PostgreSQL refuses to run as root; as root we run it as `postgres`.
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *args]
    return args


def _run(args: list[str], what: str) -> str:
    proc = subprocess.run(_as_owner(args), capture_output=True, text=True)
    if proc.returncode != 0:
        raise AttribError(f"{what} failed:\n{proc.stderr.strip() or proc.stdout.strip()}")
    return proc.stdout


def ensure_installed() -> None:
    """Install PostgreSQL 15 and the extensions with apt-get when missing."""
    if all(p.exists() for p in REQUIRED_FILES):
        return
    script = project_root() / "scripts" / "install-deps.sh"
    proc = subprocess.run(["bash", str(script)])
    missing = [str(p) for p in REQUIRED_FILES if not p.exists()]
    if proc.returncode != 0 or missing:
        raise AttribError(
            "PostgreSQL 15 with pg_partman, pgTAP and pg_cron is not installed "
            f"(missing: {', '.join(missing) or 'see above'}).\n"
            "HINT: on Debian run `sudo scripts/install-deps.sh`; elsewhere install "
            "PostgreSQL 15, pg_partman 4.7, pgTAP and pg_cron by hand."
        )


def _prepare_datadir(cluster: Cluster) -> None:
    cluster.datadir.parent.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        shutil.chown(cluster.datadir.parent, "postgres", "postgres")
        probe = subprocess.run(["runuser", "-u", "postgres", "--", "test", "-w", str(cluster.datadir.parent)])
        if probe.returncode != 0:
            raise AttribError(
                f"user postgres cannot write {cluster.datadir.parent}.\n"
                "HINT: set ATTRIB_PGDATA to a directory postgres can reach, e.g. /tmp/attrib-pgdata."
            )


def is_running(cluster: Cluster) -> bool:
    if not (cluster.datadir / "PG_VERSION").exists():
        return False
    proc = subprocess.run(_as_owner([str(PG_BIN / "pg_ctl"), "-D", str(cluster.datadir), "status"]),
                          capture_output=True, text=True)
    return proc.returncode == 0


def _port_taken(port: int) -> bool:
    """Whether something already listens on 127.0.0.1:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(1.0)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def up(cluster: Cluster, log: callable = print, *,  # type: ignore[valid-type]
       settings: dict[str, str] | None = None) -> str:
    """Start (creating if needed) the cluster and database; return the DSN.

    `settings` override SETTINGS when the cluster is created (a Citus node
    of `make test-citus` preloads citus first, a worker no pg_cron); pg_cron
    is set up only when it is preloaded.
    """
    ensure_installed()
    wanted = {**SETTINGS, **(settings or {})}
    cron = "pg_cron" in wanted["shared_preload_libraries"]
    if not cron:
        wanted.pop("cron.database_name", None)
    if not (cluster.datadir / "PG_VERSION").exists():
        _prepare_datadir(cluster)
        log(f"initializing cluster in {cluster.datadir}")
        _run([str(PG_BIN / "initdb"), "-D", str(cluster.datadir), "-U", "postgres", "-A", "trust",
              "-E", "UTF8", "--locale=C.UTF-8"], "initdb")
        conf = "\n".join(f"{k} = {v}" for k, v in wanted.items())
        conf += f"\nport = {cluster.port}\nunix_socket_directories = '{cluster.datadir}'\n"
        _run(["sh", "-c", f"cat >> '{cluster.datadir}/postgresql.conf' <<'EOF'\n# attrib\n{conf}EOF\n"],
             "writing postgresql.conf")
    if not is_running(cluster):
        if _port_taken(cluster.port):
            raise AttribError(
                f"port {cluster.port} on 127.0.0.1 is already taken by another server, so the local cluster "
                f"({cluster.datadir}) cannot start.\n"
                f"HINT: pick a free port, e.g. export ATTRIB_PGPORT={cluster.port + 1} (or --port), and run again.")
        _write_hba(cluster)
        if cron:
            _add_cron_host(cluster)
        log(f"starting PostgreSQL 15 on 127.0.0.1:{cluster.port}")
        _run([str(PG_BIN / "pg_ctl"), "-D", str(cluster.datadir), "-l", str(cluster.datadir / "server.log"),
              "-w", "-t", "60", "start"], f"pg_ctl start (see {cluster.datadir}/server.log)")
    else:  # running, perhaps made by an older attrib: bring its configuration up to date
        hba_changed = _write_hba(cluster)
        if cron and _add_cron_host(cluster):
            _run([str(PG_BIN / "pg_ctl"), "-D", str(cluster.datadir), "-m", "fast", "-w", "restart",
                  "-l", str(cluster.datadir / "server.log")], "pg_ctl restart")
        elif hba_changed:
            _run([str(PG_BIN / "pg_ctl"), "-D", str(cluster.datadir), "reload"], "pg_ctl reload")
    create_database(cluster, DEFAULT_DATABASE)
    # pg_cron's scheduler lives in cron.database_name; its jobs may target any
    # database of the cluster (cron.schedule_in_database).
    if cron:
        with psycopg.connect(cluster.dsn, autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")
    return cluster.dsn


def _add_cron_host(cluster: Cluster) -> bool:
    """Point pg_cron at the socket directory where postgresql.conf does not yet; True when it was added."""
    path = cluster.datadir / "postgresql.conf"
    conf = subprocess.run(_as_owner(["cat", str(path)]), capture_output=True, text=True).stdout
    if "\ncron.host" in conf:
        return False
    _run(["sh", "-c", f"echo \"cron.host = '{cluster.datadir}'\" >> '{path}'"], "writing postgresql.conf")
    return True


def _write_hba(cluster: Cluster) -> bool:
    """Write HBA into the cluster's pg_hba.conf; True when it changed (a cluster made by an older attrib)."""
    path = cluster.datadir / "pg_hba.conf"
    proc = subprocess.run(_as_owner(["cat", str(path)]), capture_output=True, text=True)
    if proc.returncode == 0 and proc.stdout == HBA:
        return False
    write = subprocess.run(_as_owner(["tee", str(path)]), input=HBA, capture_output=True, text=True)
    if write.returncode != 0:
        raise AttribError(f"writing {path} failed:\n{write.stderr.strip()}")
    return True


def create_database(cluster: Cluster, name: str, *, fresh: bool = False) -> str:
    with psycopg.connect(cluster.dsn_for("postgres"), autocommit=True) as conn:
        if fresh:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return cluster.dsn_for(name)


def databases(cluster: Cluster) -> list[str]:
    """The cluster's own databases (`attrib`, `attrib_demo` after a demo, ...), templates and postgres left out."""
    with psycopg.connect(cluster.dsn_for("postgres"), autocommit=True) as conn:
        return [name for (name,) in conn.execute(
            "SELECT datname FROM pg_database WHERE NOT datistemplate AND datname <> 'postgres' ORDER BY 1")]


def down(cluster: Cluster, *, destroy: bool = False) -> None:
    if is_running(cluster):
        _run([str(PG_BIN / "pg_ctl"), "-D", str(cluster.datadir), "-m", "fast", "-w", "stop"], "pg_ctl stop")
    if destroy and cluster.datadir.exists():
        shutil.rmtree(cluster.datadir)


# -- a Citus cluster on loopback (`make test-citus`) -------------------------------------

CITUS_COORDINATOR_SETTINGS = {
    # citus first, as Citus requires; pg_cron only where the schedule lives
    "shared_preload_libraries": "'citus,pg_cron,pg_stat_statements,auto_explain'",
    "shared_buffers": "'256MB'",
    "work_mem": "'64MB'",
    "citus.shard_count": "8",           # a few shards per worker core: the unit of parallelism
    "auto_explain.log_min_duration": "-1",  # off; the plan check turns it on for its database
}
CITUS_WORKER_SETTINGS = {
    "shared_preload_libraries": "'citus,pg_stat_statements'",
    "shared_buffers": "'256MB'",
    "work_mem": "'64MB'",
}


def citus_clusters(port: int, base: Path) -> tuple[Cluster, list[Cluster]]:
    """A coordinator on `port` and two workers on the next two ports, with data directories under `base`."""
    return (Cluster((base / f"citus-{port}").resolve(), port),
            [Cluster((base / f"citus-{port + k}").resolve(), port + k) for k in (1, 2)])


def up_citus(coordinator: Cluster, workers: list[Cluster], database: str = DEFAULT_DATABASE,
             log: callable = print, *, fresh: bool = False) -> str:  # type: ignore[valid-type]
    """Start a Citus coordinator and its workers on 127.0.0.1 (made if missing) and join them into
    one cluster for `database` (with `fresh`, dropped first on every node); return the
    coordinator's DSN of it. Needs Citus installed (scripts/citus-build.sh). Repeatable: running
    nodes are reused, known workers not added again."""
    if not (PG_BIN.parent / "lib" / "citus.so").exists():
        raise AttribError("Citus is not installed for PostgreSQL 15.\n"
                          "HINT: CITUS_GIT=/path/to/citus.git bash scripts/citus-build.sh")
    up(coordinator, log, settings=CITUS_COORDINATOR_SETTINGS)
    for worker in workers:
        up(worker, log, settings=CITUS_WORKER_SETTINGS)
    for node in (coordinator, *workers):
        create_database(node, database, fresh=fresh)
        with psycopg.connect(node.dsn_for(database), autocommit=True) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS citus")
    with psycopg.connect(coordinator.dsn_for(database), autocommit=True) as conn:
        conn.execute("SELECT citus_set_coordinator_host('127.0.0.1', %s)", (coordinator.port,))
        known = {r[0] for r in conn.execute("SELECT nodeport FROM pg_dist_node WHERE noderole = 'primary'")}
        for worker in workers:
            if worker.port not in known:
                log(f"adding worker 127.0.0.1:{worker.port}")
                conn.execute("SELECT citus_add_node('127.0.0.1', %s)", (worker.port,))
    return coordinator.dsn_for(database)
