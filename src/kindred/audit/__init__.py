"""Audit log: who created, changed or deleted what, when; recorded automatically on flush.

Importing the package installs the session hook (`recorder`), so every unit of work records
the changes of models marked `__audited__ = True`.
"""

from kindred.audit import recorder as recorder
