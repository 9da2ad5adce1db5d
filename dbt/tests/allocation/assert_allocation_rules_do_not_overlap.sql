-- Two rows of one rule key must not be valid on the same day: an effective-dated change
-- closes the old row (valid_to) on the day the new one starts (valid_from).
{%- set keyed_rules = [
    ('allocation_account_owners', ['provider_name', 'sub_account_id', 'sub_account_name']),
    ('allocation_service_owners', ['provider_name', 'service_name']),
    ('allocation_owners', ['owner']),
    ('allocation_tag_keys', ['tag_key']),
    ('allocation_tag_values', ['dimension', 'tag_value']),
    ('allocation_fallback_chain', ['method']),
    ('allocation_shared_pools', ['pool_id']),
    ('allocation_shared_pool_targets', ['pool_id', 'target_owner']),
    ('allocation_metric_owners', ['product']),
] %}
{% for seed, keys in keyed_rules %}
    select
        '{{ seed }}' as rule_table,
        earlier.valid_from as earlier_valid_from,
        later.valid_from as later_valid_from
    from {{ ref(seed) }} as earlier
    inner join {{ ref(seed) }} as later
        on
            earlier.valid_from < later.valid_from
            {% for key in keys -%}
                and earlier.{{ key }} is not distinct from later.{{ key }}
            {% endfor -%}
            and (earlier.valid_to is null or earlier.valid_to > later.valid_from)
    {% if not loop.last -%}
        union all
    {% endif %}
{% endfor %}
