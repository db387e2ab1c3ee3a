"""Local, faithful stand-ins for the Notion, HubSpot and Google Health APIs.

A test instrument: plain HTTP on 127.0.0.1, seeded data, a movable clock, fault
injection, request counters and the ground truth of what was generated. It never
imports ``pipelines``, so it cannot share the pipelines' reading of an API.
"""

from sandbox.runtime import Sandbox, start_sandbox

__all__ = ["Sandbox", "start_sandbox"]
