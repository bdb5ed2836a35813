"""Domains and topics: the vocabulary both people (interests, expertise) and sessions use.

The bottom of the domain layers, so accounts can offer domains without knowing about sessions.
The tables keep the names they had when they lived in the catalogue (``catalog_domain``,
``catalog_topic``); moving them was a state-only migration.
"""
