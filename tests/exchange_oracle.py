"""The P6 table as a reference oracle, written from the standard, importing nothing of tongban.

Plain values in: ``who`` = (member, authenticated, government, level); ``ask`` = (resource,
fields, purpose, clearance, now); ``items`` = {code: (share class, grade, personal number)};
``grant`` = None or (member, resource, fields, purpose, legal basis, expires, revoked, full).
Out: (allowed, reason, released, masked, field); the first row that holds is the reason.
"""


def oracle(who, ask, items, grant):
    member, authenticated, government, level = who
    resource, fields, purpose, clearance, now = ask
    asked = list(dict.fromkeys(fields))
    known = [f for f in asked if f in items]
    gm, gr, gf, gp, gb, ge, revoked, full = grant or (None, None, (), None, "", now, True, ())
    fault = [w for bad, w in [(grant is None, "no_grant"), (revoked, "grant_revoked"),
             (now >= ge, "grant_expired"), (gm != member, "grant_other_member"),
             (gr != resource, "grant_other_resource"), (gp != purpose, "purpose_mismatch"),
             (not (gb or "").strip(), "no_legal_basis")] if bad][:1]  # fmt: skip
    conditional = [f for f in known if items[f][0] == "conditional"]
    rows = [
        (not authenticated, "unauthenticated", ""),
        (not government, "not_government", ""),
        (not asked, "no_fields", ""),
    ] + [(f not in items, "unknown_field", f) for f in asked]
    rows += [(items[f][0] == "not_shared", "not_shared", f) for f in known]
    rows += [(items[f][1] > min(level, clearance), "grade_too_high", f) for f in known]
    rows += [(bool(conditional and fault), (fault or [""])[0], "")]
    rows += [(f not in gf, "field_not_granted", f) for f in conditional]
    for bad, why, field in rows:
        if bad:
            return False, why, (), frozenset(), field
    unmasked = set() if fault else set(full) & set(gf)
    masked = frozenset(f for f in asked if items[f][2] and f not in unmasked)
    return True, "allow", tuple(asked), masked, ""
