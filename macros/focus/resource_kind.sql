{#-
    focus_resource_kind(resource_id): the kind of resource an id names, read from the id's
    shape, as the key of seeds/focus/focus_resource_types.csv (lower case). NULL when the id
    has no shape we know (an S3 bucket name, a GCP resource.name): ResourceType then comes
    from the service (the seed's `service:` rows) or falls back to 'Other'.

      arn:<service>[:<type>]   AWS ARN: arn:partition:service:region:account:<type>/<id> or
                               <type>:<id>, e.g. arn:aws:elasticloadbalancing:...:loadbalancer/app/x
                               -> arn:elasticloadbalancing:loadbalancer; an ARN whose resource
                               part has no type (S3 bucket, SQS queue) -> arn:s3, arn:sqs
      id:<prefix>              AWS resource id <prefix>-<hex> (i-0abc..., vol-..., nat-...)
      arm:<namespace>/<type>[/<child type>]
                               Azure ARM id, after the last /providers/: .../providers/
                               Microsoft.Compute/virtualMachines/vm-1 -> arm:microsoft.compute/
                               virtualmachines; .../Microsoft.Sql/servers/s/databases/d ->
                               arm:microsoft.sql/servers/databases
      gcp:<api host>/<collection>
                               GCP full resource name //<host>/.../<collection>/<id>, e.g.
                               //compute.googleapis.com/projects/p/zones/z/instances/1 ->
                               gcp:compute.googleapis.com/instances

    Patterns use no backslash, so the same literal means the same regex on DuckDB and
    BigQuery (both RE2).
-#}
{% macro focus_resource_kind(resource_id) -%}
    {%- set id = 'lower(' ~ resource_id ~ ')' -%}
    case
        when {{ id }} like 'arn:%' then
            'arn:' || {{ focus_regexp_group(id, '^arn:[^:]+:([^:]+):') }}
            || coalesce(
                ':' || {{ focus_regexp_group(id, '^arn:[^:]+:[^:]+:[^:]*:[^:]*:/?([^:/]+)[:/]') }},
                ''
            )
        when {{ id }} like '%/providers/%' then
            'arm:' || {{ focus_regexp_group(id, '^.*/providers/([^/]+/[^/]+)') }}
            || coalesce(
                '/' || {{ focus_regexp_group(id, '^.*/providers/[^/]+/[^/]+/[^/]+/([^/]+)') }},
                ''
            )
        when {{ id }} like '//%' then
            'gcp:' || {{ focus_regexp_group(id, '^//([^/]+)/') }}
            || '/' || {{ focus_regexp_group(id, '/([^/]+)/[^/]+$') }}
        else 'id:' || {{ focus_regexp_group(id, '^([a-z]+)-[0-9a-f]{8,17}$') }}
    end
{%- endmacro %}


{#- focus_regexp_group(expr, pattern): the first capture group of `pattern` (a literal
    written in the model, never data, with exactly one group) in `expr`; NULL when it does
    not match or captures nothing. DuckDB's regexp_extract gives '' on no match, BigQuery's
    NULL: both become NULL here. -#}
{% macro focus_regexp_group(expr, pattern) -%}
    {{ return(adapter.dispatch('focus_regexp_group', 'finops')(expr, pattern)) }}
{%- endmacro %}

{% macro default__focus_regexp_group(expr, pattern) -%}
    {{ unsupported_adapter('focus_regexp_group') }}
{%- endmacro %}

{% macro duckdb__focus_regexp_group(expr, pattern) -%}
    nullif(regexp_extract({{ expr }}, '{{ pattern }}', 1), '')
{%- endmacro %}

{% macro bigquery__focus_regexp_group(expr, pattern) -%}
    nullif(regexp_extract({{ expr }}, r'{{ pattern }}'), '')
{%- endmacro %}
