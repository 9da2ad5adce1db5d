-- Azure cost details, actual cost, one row per charge line of a loaded delivery.
-- Actual and amortized exports share one header, so both models use one macro.
{{ stage_azure_cost_details(source('azure_actual', 'line_items')) }}
