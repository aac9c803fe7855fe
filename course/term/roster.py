"""The class list: who is enrolled, under which LMS id, name and e-mail.

A roster CSV is optional.  Any of these work as they come (headers are matched without regard to case):
  plain        id,name,email[,sis_user_id,sis_login_id,section]
  Canvas       the gradebook export: Student,ID,SIS User ID,SIS Login ID,Section,...  ("Points Possible" row skipped)
  Moodle       the grading worksheet: Identifier ("Participant 123456"),Full name,Email address,...
  Blackboard   the Grade Centre export: Last Name,First Name,Username,...
The id must be the one the LMS's submission export uses (Canvas user id, Moodle participant id, Blackboard username).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from .intake import student_key

COLUMNS = {
    "id": ("id", "identifier", "username", "student id", "student_id", "user id", "login"),
    "name": ("name", "full name", "student", "full_name"),
    "email": ("email", "email address", "e-mail"),
    "sis_user_id": ("sis user id", "sis_user_id"),
    "sis_login_id": ("sis login id", "sis_login_id"),
    "section": ("section",),
    "first": ("first name", "first_name"),
    "last": ("last name", "last_name"),
}


@dataclass
class Person:
    id: str
    name: str = ""
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""


def read_roster(path: Path) -> dict[str, Person]:
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    if not rows:
        return {}
    lower = {c.strip().lower(): c for c in rows[0] if c}
    col = {key: next((lower[a] for a in aliases if a in lower), None) for key, aliases in COLUMNS.items()}
    if col["id"] is None:
        raise SystemExit(f"{path}: a roster needs an id column (one of {', '.join(COLUMNS['id'])})")
    people = {}
    for row in rows:

        def get(key: str, row: dict = row) -> str:
            return (row.get(col[key]) or "").strip() if col[key] else ""

        sid = student_key(get("id"))
        if not sid or "points possible" in get("name").lower():
            continue
        name = get("name") or " ".join(x for x in (get("first"), get("last")) if x)
        if "," in name and col["name"] and lower.get("student") == col["name"]:  # Canvas: "Doe, Jane"
            last, first = (x.strip() for x in name.split(",", 1))
            name = f"{first} {last}"
        people[sid] = Person(sid, name, get("email"), get("sis_user_id"), get("sis_login_id"), get("section"))
    return people
