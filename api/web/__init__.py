"""What the web pages share: rendering (``rendering``) and staff access (``access``).

The pages' routes are in ``api.routes`` (``pages``, ``auth``, ``worklist``, ``audits``).
"""
