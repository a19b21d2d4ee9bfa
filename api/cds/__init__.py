"""CDS Hooks 2.0 services: the note check and prior authorization as cards in the EHR.

- :mod:`api.cds.wire`: the JSON models of requests, cards and feedback (the CDS Hooks wire);
- :mod:`api.cds.discovery`: the services ChartReady offers and what they prefetch;
- :mod:`api.cds.inputs`: where the note and the draft orders are found in a hook call;
- :mod:`api.cds.payer_choice`: the payer profile from the prefetched FHIR Coverage;
- :mod:`api.cds.cards`: a check result as cards;
- :mod:`api.cds.authorization`: prior authorization of ``order-sign`` procedure orders as
  cards (needed or not, on file or missing).

The router is :mod:`api.routes.cds_hooks`.
"""
