{#- Engagement -> company associations, one row per pair; both ends live (archived records excluded). -#}
{{ hubspot_association_pairs('engagement', 'company') }}
