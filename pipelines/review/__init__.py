"""The weekly review: last week's habits, sleep, activity, people and anything unusual, computed
from the marts, written as Markdown and an HTML e-mail body, and sent once per week by e-mail.

One concern per module: ``week`` (which week), ``marts`` (what is read), ``model`` (the review
as plain data), ``compute`` (the sections and their sentences), ``link`` (the published
report's address), ``markdown`` and ``email_html`` (the two renderings), ``message`` (the
e-mail), ``smtp`` (delivery settings and sending) and ``sent_record`` (the weeks already sent,
kept in the warehouse). ``prp review`` (``pipelines.commands.review``) puts them together.
"""
