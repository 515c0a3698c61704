"""多人同诉: how many people complained. The one rule, in its two forms (an aggregate over rows
already stored, and the count one more clue adds during intake):

- each distinct complainant key (a complaint's phone digest) is one person, however often they
  call;
- a clue without a key (anonymous, no phone) is one person each.

The key is the calling app's (complaints: `phone_hash`); rectification never reads it itself."""

from django.db.models import Count, Q


def complainants_distinct(key_field: str, *, row_field: str = "pk"):
    """The rule as an aggregate expression over rows that carry `key_field` (blank: no key),
    for aggregate() or annotate()."""
    return (Count(key_field, distinct=True, filter=~Q(**{key_field: ""}))
            + Count(row_field, filter=Q(**{key_field: ""})))


def complainant_added(key: str, seen: set[str]) -> int:
    """The rule for one more clue of a case whose complainant keys so far are `seen` (updated
    here): 1 for a new person, 0 for a key already seen, 1 for a clue without a key."""
    if not key:
        return 1
    if key in seen:
        return 0
    seen.add(key)
    return 1
