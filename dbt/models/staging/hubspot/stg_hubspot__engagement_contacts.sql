{#- Engagement -> contact associations, one row per pair; both ends live (archived records excluded). -#}
{{ hubspot_association_pairs('engagement', 'contact') }}
