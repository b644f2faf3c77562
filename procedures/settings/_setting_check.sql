-- attrib._setting_check: the one place a setting's value is judged. It reads
-- the setting's rule from attrib.setting_rules (kind, bounds, the rule in
-- words and a correct example) and raises 22023 naming the setting and the
-- rule when the value breaks it, or when the name has no rule. The trigger on
-- attrib.settings calls it for every value written, and attrib._check_settings
-- for every value stored, before a run's first stage. A new setting registers
-- its rule by inserting a row into attrib.setting_rules (in the migration that
-- adds the setting); a new kind of value adds a branch here.
CREATE OR REPLACE FUNCTION attrib._setting_check(p_name text, p_value jsonb)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rule     attrib.setting_rules%ROWTYPE;
    v_text     text := CASE WHEN jsonb_typeof(p_value) = 'string' THEN p_value #>> '{}' END;
    v_problem  text;
    v_interval interval;
    v_integer  numeric;
    v_ts       timestamptz;
    v_parts    text[];
    v_owner    text;
BEGIN
    SELECT r.* INTO v_rule FROM attrib.setting_rules r WHERE r.name = p_name;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'setting "%" is not a setting attrib knows', p_name
            USING ERRCODE = '22023',
                  DETAIL = 'Every setting needs a rule in attrib.setting_rules; a misspelt name would never be read.',
                  HINT = format('Check the name against SELECT name FROM attrib.setting_rules; e.g. '
                                'UPDATE attrib.settings SET value = %L WHERE name = %L;', '"20 minutes"', 'session_gap');
    END IF;

    IF p_value IS NULL THEN
        v_problem := 'it is missing';
    ELSIF jsonb_typeof(p_value) = 'null' THEN
        IF NOT v_rule.nullable THEN
            v_problem := 'it is null';
        END IF;
    ELSIF v_rule.kind IN ('regex', 'duration', 'name', 'timestamptz', 'relation', 'currency') AND v_text IS NULL THEN
        v_problem := format('it is a JSON %s, not a string', jsonb_typeof(p_value));
    ELSIF v_rule.kind = 'regex' THEN
        BEGIN
            PERFORM '' ~* v_text;
        EXCEPTION WHEN invalid_regular_expression THEN
            v_problem := SQLERRM;
        END;
    ELSIF v_rule.kind = 'duration' THEN
        BEGIN
            v_interval := v_text::interval;
        EXCEPTION WHEN data_exception THEN
            v_problem := format('%s is not a duration', to_json(v_text));
        END;
        IF v_problem IS NULL AND v_rule.min_value IS NOT NULL THEN
            IF v_rule.min_exclusive AND v_interval <= v_rule.min_value::interval THEN
                v_problem := format('%s is not greater than %s', to_json(v_text), v_rule.min_value);
            ELSIF v_interval < v_rule.min_value::interval THEN
                v_problem := format('%s is less than %s', to_json(v_text), v_rule.min_value);
            END IF;
        END IF;
    ELSIF v_rule.kind = 'name' THEN
        IF btrim(v_text) = '' THEN
            v_problem := 'it is empty';
        ELSIF octet_length(v_text) > 63 THEN
            v_problem := format('it is %s bytes long', octet_length(v_text));
        END IF;
    ELSIF v_rule.kind = 'text_list' THEN
        IF jsonb_typeof(p_value) <> 'array' THEN
            v_problem := format('it is a JSON %s, not an array', jsonb_typeof(p_value));
        ELSE
            SELECT format('element %s is %s', e.n, CASE WHEN jsonb_typeof(e.v) = 'string' THEN 'an empty string'
                                                        ELSE 'a JSON ' || jsonb_typeof(e.v) END)
              INTO v_problem
              FROM jsonb_array_elements(p_value) WITH ORDINALITY AS e(v, n)
             WHERE jsonb_typeof(e.v) <> 'string' OR btrim(e.v #>> '{}') = ''
             ORDER BY e.n LIMIT 1;
        END IF;
    ELSIF v_rule.kind = 'text_map' THEN
        IF jsonb_typeof(p_value) <> 'object' THEN
            v_problem := format('it is a JSON %s, not an object', jsonb_typeof(p_value));
        ELSE
            SELECT CASE WHEN btrim(e.key) = '' THEN 'a key is empty'
                        ELSE format('the value of %s is %s', to_json(e.key),
                                    CASE WHEN jsonb_typeof(e.value) = 'string' THEN 'an empty string'
                                         ELSE 'a JSON ' || jsonb_typeof(e.value) END) END
              INTO v_problem
              FROM jsonb_each(p_value) AS e
             WHERE btrim(e.key) = '' OR jsonb_typeof(e.value) <> 'string' OR btrim(e.value #>> '{}') = ''
             ORDER BY e.key LIMIT 1;
        END IF;
    ELSIF v_rule.kind = 'boolean' THEN
        IF jsonb_typeof(p_value) <> 'boolean' THEN
            v_problem := format('it is a JSON %s', jsonb_typeof(p_value));
        END IF;
    ELSIF v_rule.kind = 'integer' THEN
        IF jsonb_typeof(p_value) = 'number' THEN
            v_integer := (p_value #>> '{}')::numeric;
        ELSIF v_text ~ '^\s*[-+]?[0-9]{1,18}\s*$' THEN
            v_integer := v_text::numeric;
        END IF;
        IF v_integer IS NULL OR v_integer <> trunc(v_integer) THEN
            v_problem := format('%s is not an integer', p_value);
        ELSIF v_integer < v_rule.min_value::numeric OR v_integer > v_rule.max_value::numeric THEN
            v_problem := format('%s is out of range', v_integer);
        END IF;
    ELSIF v_rule.kind = 'currency' THEN
        -- the code's shape only: ISO 4217 adds and retires codes, and the code is only ever shown
        IF v_text !~ '^[A-Z]{3}$' THEN
            v_problem := format('%s is not three capital letters', to_json(v_text));
        END IF;
    ELSIF v_rule.kind = 'timestamptz' THEN
        BEGIN
            v_ts := v_text::timestamptz;
            IF NOT isfinite(v_ts) THEN
                v_problem := format('%s is not finite', to_json(v_text));
            END IF;
        EXCEPTION WHEN data_exception THEN
            v_problem := format('%s is not a timestamp', to_json(v_text));
        END;
    ELSIF v_rule.kind = 'relation' THEN
        BEGIN
            v_parts := parse_ident(v_text);
        EXCEPTION WHEN invalid_parameter_value THEN
            v_parts := NULL;
        END;
        IF coalesce(cardinality(v_parts), 0) <> 2 THEN
            v_problem := format('%s is not of the form schema.name', to_json(v_text));
        ELSIF to_regnamespace(quote_ident(v_parts[1])) IS NULL THEN
            v_problem := format('relation %I.%I does not exist', v_parts[1], v_parts[2]);
        ELSE
            -- the stages read it as attrib's owner role: say so now, naming
            -- the setting and the grant, not halfway through a run as a bare
            -- "permission denied for schema" (to_regclass says only that)
            v_owner := coalesce((SELECT r.role_name FROM attrib.roles r WHERE r.kind = 'owner'), current_user);
            IF NOT has_schema_privilege(v_owner, v_parts[1], 'USAGE') THEN
                RAISE EXCEPTION 'setting "%" names %.%, but attrib''s owner role % has no USAGE on schema %',
                                p_name, v_parts[1], v_parts[2], v_owner, v_parts[1]
                    USING ERRCODE = '42501',
                          HINT = format('As the schema''s owner: GRANT USAGE ON SCHEMA %I TO %I; GRANT SELECT ON %I.%I TO %I;',
                                        v_parts[1], v_owner, v_parts[1], v_parts[2], v_owner);
            ELSIF to_regclass(format('%I.%I', v_parts[1], v_parts[2])) IS NULL THEN
                v_problem := format('relation %I.%I does not exist', v_parts[1], v_parts[2]);
            ELSIF NOT has_table_privilege(v_owner, format('%I.%I', v_parts[1], v_parts[2]), 'SELECT') THEN
                RAISE EXCEPTION 'setting "%" names %.%, which attrib''s owner role % may not read',
                                p_name, v_parts[1], v_parts[2], v_owner
                    USING ERRCODE = '42501',
                          HINT = format('As its owner: GRANT SELECT ON %I.%I TO %I; (or ALTER VIEW %I.%I OWNER TO %I; for a view)',
                                        v_parts[1], v_parts[2], v_owner, v_parts[1], v_parts[2], v_owner);
            END IF;
        END IF;
    ELSE
        v_problem := format('its rule has kind %s, which attrib._setting_check does not know', v_rule.kind);
    END IF;

    IF v_problem IS NOT NULL THEN
        RAISE EXCEPTION 'setting "%" must be %: %', p_name, v_rule.rule, v_problem
            USING ERRCODE = '22023',
                  DETAIL = format('The value given: %s', left(coalesce(p_value::text, 'NULL'), 200)),
                  HINT = format('e.g. UPDATE attrib.settings SET value = %L WHERE name = %L;', v_rule.example, p_name);
    END IF;
END
$$;
COMMENT ON FUNCTION attrib._setting_check(text, jsonb) IS
  'Private: raises 22023 naming the setting and its rule (attrib.setting_rules) when the value breaks it or the name has no rule';
