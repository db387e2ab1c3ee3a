{#-
    One row per live HubSpot engagement with its contacts and company, dated in the personal
    time zone and flagged as a touch. Built in int_engagements, which the contact and company
    marts read too, so no mart reads another.
-#}
with

engagements as (

    select * from {{ ref('int_engagements') }}

),

final as (

    select * from engagements

)

select * from final
