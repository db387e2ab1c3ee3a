{#-
    Live engagements of every type, one row each: when it happened (hs_timestamp), a title and
    body preview, and direction/outcome where the type has them (lower case). Any subset of the
    six types builds: a type's columns that raw lacks (left out of the objects file) read as null.
-#}
with

engagements as (

    select * from {{ optional_columns('hubspot', 'hubspot__engagements', {
        'id': 'text', 'is_deleted': 'bool', 'object_type': 'text', 'hs_timestamp': 'text',
        'hs_call_title': 'text', 'hs_meeting_title': 'text', 'hs_task_subject': 'text',
        'hs_email_subject': 'text', 'hs_body_preview': 'text', 'hs_call_body': 'text',
        'hs_meeting_body': 'text', 'hs_note_body': 'text', 'hs_task_body': 'text',
        'hs_email_text': 'text', 'hs_communication_body': 'text', 'hs_call_direction': 'text',
        'hs_email_direction': 'text', 'hs_call_status': 'text', 'hs_meeting_outcome': 'text',
        'hs_task_status': 'text', 'hs_createdate': 'text', 'hs_lastmodifieddate': 'text'}) }}

),

live_engagements as (

    select *
    from engagements
    where not coalesce(is_deleted, false)

),

typed as (

    select
        cast(id as {{ dbt.type_string() }}) as engagement_id,
        case object_type
            when 'calls' then 'call'
            when 'meetings' then 'meeting'
            when 'notes' then 'note'
            when 'tasks' then 'task'
            when 'emails' then 'email'
            when 'communications' then 'communication'
        end as engagement_type,
        {{ dbt.safe_cast("hs_timestamp", dbt.type_timestamp()) }} as occurred_at,
        case object_type
            when 'calls' then hs_call_title
            when 'meetings' then hs_meeting_title
            when 'tasks' then hs_task_subject
            when 'emails' then hs_email_subject
        end as title,
        coalesce(
            hs_body_preview,
            case object_type
                when 'calls' then hs_call_body
                when 'meetings' then hs_meeting_body
                when 'notes' then hs_note_body
                when 'tasks' then hs_task_body
                when 'emails' then hs_email_text
                when 'communications' then hs_communication_body
            end
        ) as body_text,
        case
            when object_type = 'calls' then lower(hs_call_direction)
            when object_type = 'emails' and hs_email_direction = 'INCOMING_EMAIL' then 'inbound'
            when object_type = 'emails' and hs_email_direction in ('EMAIL', 'FORWARDED_EMAIL')
                then 'outbound'
        end as direction,
        case object_type
            when 'calls' then lower(hs_call_status)
            when 'meetings' then lower(hs_meeting_outcome)
            when 'tasks' then lower(hs_task_status)
        end as outcome,
        {{ dbt.safe_cast("hs_createdate", dbt.type_timestamp()) }} as created_at,
        {{ dbt.safe_cast("hs_lastmodifieddate", dbt.type_timestamp()) }} as updated_at
    from live_engagements

),

final as (

    select
        engagement_id,
        engagement_type,
        occurred_at,
        title,
        substr(body_text, 1, 200) as body_preview,
        direction,
        outcome,
        created_at,
        updated_at
    from typed

)

select * from final
