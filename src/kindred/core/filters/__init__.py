"""The filter language shared by segments, automations, campaign targeting and workflows.

A filter is `{"match": "all"|"any", "conditions": [...]}`; a condition is
`{"field", "operator", "value"}` or a nested group (at most 5 levels, 100 conditions).
`parse_filter` checks it against the field registry and returns a typed AST; the SQL
compiler (`compile_filter`) and the in-memory evaluator (`evaluate`) both consume that AST and
must agree on every contact (a hypothesis property test holds them to it).

Semantics, stated once and implemented by both:

- **Unset fields.** A field is unset when it is absent, null, an empty string or an empty
  list (a contact with no tags has its `tags` unset). A condition on an unset field is false
  for every operator except `is_not_set` (alias `is_empty`), `neq`, `not_contains` and
  `not_has`, which are true. More generally each negative operator is exactly the negation
  of its positive twin (`neq` = not `eq`, `not_contains` = not `contains`, `not_has` = not
  `has`, `is_not_set` = not `is_set`), and positive operators are false on unset values.
- **Types.** A custom field is typed by its definition (`number` compares as a double,
  `date` as its `YYYY-MM-DD` day, `boolean` as a JSON boolean, `multiselect` as a list of
  strings, anything else and undefined keys as text). A stored value of another JSON type
  than its field's (e.g. text left in a field later redefined as number) is set, but never
  satisfies a comparison.
- **Text** comparisons fold ASCII letters only (`A`-`Z`), so that SQLite's `lower()`, a
  PostgreSQL `lower(… COLLATE "C")` and Python agree byte for byte; other characters compare
  exactly.
- **Times.** `createdAt`, `updatedAt`, `lastTaskRun` and company timestamps take an ISO date
  or datetime (UTC when no zone is given) or `{"days_ago": N}`, resolved against one `now`
  shared by compiler and evaluator. An empty group matches every contact.
"""

from kindred.core.filters.ast import Condition, FieldKind, Group, Operator
from kindred.core.filters.compiler import compile_filter
from kindred.core.filters.evaluator import Subject, evaluate
from kindred.core.filters.parser import InvalidFilter, parse_filter

__all__ = [
    "Condition",
    "FieldKind",
    "Group",
    "InvalidFilter",
    "Operator",
    "Subject",
    "compile_filter",
    "evaluate",
    "parse_filter",
]
