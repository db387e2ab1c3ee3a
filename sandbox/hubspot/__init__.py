"""HubSpot CRM stand-in: contacts, companies, six engagement types, associations, search.

See ``sandbox.hubspot.app`` for the routes, the test handles and the ground-truth API.
"""
