-- attrib._url_decode_percent: private helper of attrib.url_decode (and
-- attrib.url_param), definitions §2 decoding for a value that holds a '%' (any value
-- is handled right, but url_decode answers the others itself, inline).
--   '+' becomes a space; then, when every '%' starts a %XX hex pair and the
--   bytes so decoded are valid UTF-8, the value is decoded, otherwise it is
--   kept as it stands (after the '+' step); decoded NULs (%00) are removed;
--   the result is trimmed (ASCII white space) and empty is NULL.
--
-- Why a separate function: the conversions between text and bytes
-- (convert_to, convert_from) are STABLE, and an IMMUTABLE SQL function whose
-- body holds them is never inlined; url_decode keeps them out of its own
-- body so that its common case (no '%') stays an inline expression.
-- PL/pgSQL keeps the work in variables and its expressions prepared across
-- calls; no exception handling is needed:
--
-- The bytes are handled as hex, where '%' is "25" and a hex digit X of a
-- %XX pair is "3X" (0-9), "4X" or "6X" (A-F, a-f; X in 1-6). One aligned
-- regexp_replace pass turns each byte into a token: a %XX pair becomes
-- p g<L1> h<D1> g<L2> h<D2> (L = 1-6 for a letter digit, D = 0-9 for a
-- numeric one; one of each pair is present), any other byte p g h g h <its
-- 2 hex digits>. Then %00 ("pgh0gh0") becomes "zz" (a NUL byte: valid
-- UTF-8, dropped before decoding) and the markers go ('p' -> '', 'gh' -> '',
-- 'g1h' -> 'a' ... 'g6h' -> 'f'), leaving the decoded bytes as lower-case
-- hex. A regular expression over those 2-digit units accepts exactly the
-- well-formed UTF-8 sequences (RFC 3629 as PostgreSQL checks them: no
-- overlongs, no surrogates, nothing above U+10FFFF), so convert_from never
-- fails.
CREATE OR REPLACE FUNCTION attrib._url_decode_percent(p_value text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_value text := replace(p_value, '+', ' ');
    v_hex   text;
BEGIN
    IF strpos(v_value, '%') = 0 OR v_value ~ '%(?![0-9A-Fa-f]{2})' THEN
        -- nothing to decode, or a '%' without a hex pair: kept as written
        RETURN nullif(attrib.trim_ascii(v_value), '');
    END IF;
    v_hex := replace(replace(replace(replace(replace(replace(replace(replace(replace(
               regexp_replace(encode(convert_to(v_value, 'UTF8'), 'hex'),
                              '25(?:3([0-9])|[46]([1-6]))(?:3([0-9])|[46]([1-6]))|(..)',
                              'pg\2h\1g\4h\3\5', 'g'),
               'pgh0gh0', 'zz'), 'p', ''), 'gh', ''),
               'g1h', 'a'), 'g2h', 'b'), 'g3h', 'c'), 'g4h', 'd'), 'g5h', 'e'), 'g6h', 'f');
    IF v_hex !~ '^(?:zz|[0-7][0-9a-f]|c[2-9a-f][89ab][0-9a-f]|d[0-9a-f][89ab][0-9a-f]|e0[ab][0-9a-f][89ab][0-9a-f]|e[1-9a-cef][89ab][0-9a-f][89ab][0-9a-f]|ed[89][0-9a-f][89ab][0-9a-f]|f0[9ab][0-9a-f][89ab][0-9a-f][89ab][0-9a-f]|f[1-3][89ab][0-9a-f][89ab][0-9a-f][89ab][0-9a-f]|f48[0-9a-f][89ab][0-9a-f][89ab][0-9a-f])*$' THEN
        -- the decoded bytes are not valid UTF-8: kept as written
        RETURN nullif(attrib.trim_ascii(v_value), '');
    END IF;
    RETURN nullif(attrib.trim_ascii(convert_from(decode(replace(v_hex, 'zz', ''), 'hex'), 'UTF8')), '');
END
$$;

COMMENT ON FUNCTION attrib._url_decode_percent(text) IS
  'Private helper of attrib.url_decode: definitions §2 decoding of a value holding %, in PL/pgSQL '
  '(the text/bytea conversions it needs would stop url_decode from being inlined)';
