"""Contacts over the native API: validation, uniqueness, search, tags, fields, import."""

from __future__ import annotations

from fastapi import FastAPI

from tests.factories import signup


async def test_create_stores_lowercased_email_and_e164_phone(app: FastAPI) -> None:
    owner = await signup(app)
    created = await owner.client.post(
        "/api/contacts",
        json={"firstName": "Ann", "email": "Ann@Example.COM", "phone": "(415) 555-2671"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["email"] == "ann@example.com"
    assert created.json()["phone"] == "+14155552671"


async def test_duplicate_email_ignoring_case_is_409(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post("/api/contacts", json={"email": "dup@example.com"})
    again = await owner.client.post("/api/contacts", json={"email": "DUP@example.com"})
    assert again.status_code == 409
    assert again.json()["code"] == "DUPLICATE_EMAIL"


async def test_invalid_email_and_phone_are_400(app: FastAPI) -> None:
    owner = await signup(app)
    bad_email = await owner.client.post("/api/contacts", json={"email": "not-an-email"})
    bad_phone = await owner.client.post("/api/contacts", json={"phone": "12"})
    assert (bad_email.status_code, bad_phone.status_code) == (400, 400)


async def test_custom_fields_are_checked_against_definitions(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post(
        "/api/fields", json={"name": "score", "label": "Score", "fieldType": "number"}
    )
    await owner.client.post(
        "/api/fields",
        json={
            "name": "tier",
            "label": "Tier",
            "fieldType": "select",
            "options": ["gold", "silver"],
        },
    )
    bad_number = await owner.client.post("/api/contacts", json={"customFields": {"score": "abc"}})
    bad_option = await owner.client.post("/api/contacts", json={"customFields": {"tier": "bronze"}})
    good = await owner.client.post(
        "/api/contacts", json={"customFields": {"score": "42", "tier": "gold", "extra": 7}}
    )
    assert (bad_number.status_code, bad_option.status_code) == (400, 400)
    assert good.json()["customFields"] == {"score": 42, "tier": "gold", "extra": "7"}


async def test_unknown_tag_names_create_tags(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post("/api/contacts", json={"firstName": "T", "tags": ["New One"]})
    tags = (await owner.client.get("/api/tags")).json()
    assert [tag["name"] for tag in tags] == ["New One"]


async def test_search_matches_name_email_phone_digits_and_company(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post(
        "/api/contacts",
        json={
            "firstName": "Zelda",
            "lastName": "Quin",
            "email": "zq@corp.io",
            "phone": "+14155550199",
            "company": "Hyrule",
        },
    )
    await owner.client.post("/api/contacts", json={"firstName": "Other"})
    for fragment in ("zelda qu", "zq@co", "(415) 555-0199", "hyr", "ze"):
        found = (await owner.client.get("/api/contacts", params={"search": fragment})).json()
        assert [c["firstName"] for c in found["contacts"]] == ["Zelda"], fragment


async def test_tag_filter_requires_every_tag(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post(
        "/api/contacts", json={"firstName": "Both", "tags": ["VIP", "Customer"]}
    )
    await owner.client.post("/api/contacts", json={"firstName": "One", "tags": ["VIP"]})
    found = (await owner.client.get("/api/contacts", params={"tags": "VIP, Customer"})).json()
    assert [c["firstName"] for c in found["contacts"]] == ["Both"]
    assert found["total"] == 1


async def test_tag_filter_total_counts_past_the_page_within_the_workspace(app: FastAPI) -> None:
    owner, other = await signup(app), await signup(app)
    for actor in (owner, other):
        for n in range(3):
            await actor.client.post("/api/contacts", json={"firstName": f"V{n}", "tags": ["VIP"]})
    found = (await owner.client.get("/api/contacts", params={"tags": "VIP", "limit": 2})).json()
    assert (len(found["contacts"]), found["total"], found["totalPages"]) == (2, 3, 2)


async def test_sort_by_first_name_ascending(app: FastAPI) -> None:
    owner = await signup(app)
    for name in ("Carl", "Abe", "Bob"):
        await owner.client.post("/api/contacts", json={"firstName": name})
    found = (
        await owner.client.get("/api/contacts", params={"sort": "firstName", "order": "asc"})
    ).json()
    assert [c["firstName"] for c in found["contacts"]] == ["Abe", "Bob", "Carl"]


async def test_patch_changes_only_given_fields(app: FastAPI) -> None:
    owner = await signup(app)
    contact = (
        await owner.client.post("/api/contacts", json={"firstName": "A", "lastName": "B"})
    ).json()
    patched = await owner.client.patch(f"/api/contacts/{contact['id']}", json={"lastName": "C"})
    assert (patched.json()["firstName"], patched.json()["lastName"]) == ("A", "C")


async def test_member_cannot_delete_a_contact(app: FastAPI) -> None:
    owner = await signup(app)
    member = await owner.add_member("member")
    contact = (await owner.client.post("/api/contacts", json={"firstName": "A"})).json()
    refused = await member.client.delete(f"/api/contacts/{contact['id']}")
    assert refused.status_code == 403


async def test_other_workspace_gets_404(app: FastAPI) -> None:
    owner, stranger = await signup(app), await signup(app)
    contact = (await owner.client.post("/api/contacts", json={"firstName": "A"})).json()
    assert (await stranger.client.get(f"/api/contacts/{contact['id']}")).status_code == 404
    assert (await stranger.client.delete(f"/api/contacts/{contact['id']}")).status_code == 404


async def test_json_import_updates_duplicates_and_reports_bad_rows(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post("/api/contacts", json={"firstName": "Old", "email": "a@example.com"})
    imported = await owner.client.post(
        "/api/contacts/import",
        json={
            "rows": [
                {"First Name": "New", "E-mail": "A@example.com"},
                {"First Name": "Bee", "E-mail": "b@example.com"},
                {"First Name": "Bad", "E-mail": "nope"},
            ],
            "mapping": {},
            "constantValues": {"_tags": ["csv-import"]},
            "skipDuplicates": False,
        },
    )
    body = imported.json()
    assert (body["created"], body["updated"], body["failed"]) == (1, 1, 1)
    assert body["errors"] == [{"row": 3, "error": "Invalid email format"}]
    listed = (await owner.client.get("/api/contacts", params={"tags": "csv-import"})).json()
    assert sorted(c["firstName"] for c in listed["contacts"]) == ["Bee", "New"]


async def test_csv_import_skips_duplicates_when_asked(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post("/api/contacts", json={"firstName": "Old", "email": "a@example.com"})
    csv_text = "first_name,Email\nNew,a@example.com\nNew,n@example.com\n"
    imported = await owner.client.post(
        "/api/contacts/import",
        files={"file": ("c.csv", csv_text, "text/csv")},
        data={"tagAll": "VIP", "skipDuplicates": "true"},
    )
    assert (imported.json()["created"], imported.json()["skipped"]) == (1, 1)


async def test_export_neutralises_formulas(app: FastAPI) -> None:
    owner = await signup(app)
    await owner.client.post("/api/contacts", json={"firstName": "=HYPERLINK(1)"})
    exported = await owner.client.get("/api/contacts/export")
    assert exported.status_code == 200
    assert "'=HYPERLINK(1)" in exported.text
