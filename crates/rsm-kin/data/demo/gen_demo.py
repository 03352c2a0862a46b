#!/usr/bin/env python3
"""Writes the demo's SYNTHETIC family-tracing sample (south.csv, north.csv).

Every name, date and place combination is made up by this script (fixed seed); none
describes a real person. The layout is the exchange format of the data/kin sets.
Run from this folder: python3 gen_demo.py
"""
import csv
import random

random.seed(20261127)

# (South spelling, North spelling) surnames: the initial-sound rule 이/리, 류/유, 라/나 …
SURNAMES = [("김", "김"), ("이", "리"), ("박", "박"), ("최", "최"), ("정", "정"), ("유", "류"),
            ("노", "로"), ("양", "량"), ("윤", "윤"), ("임", "림"), ("한", "한"), ("오", "오")]
MALE = ["용호", "영식", "철수", "만섭", "성철", "용수", "광일", "동수", "영남", "창호", "익수", "영진"]
FEMALE = ["순희", "옥례", "영자", "정숙", "복순", "명자", "순덕", "영희", "춘자", "금순", "련화", "옥순"]
# (hometown as remembered in the South: province, old county) -> (North: province, county now)
PLACES = [
    (("황해", "옹진"), ("황해남도", "강령군")),
    (("황해", "연백"), ("황해남도", "연안군")),
    (("평북", "영변"), ("평안북도", "녕변군")),
    (("함남", "함주"), ("함경남도", "함주군")),
    (("평남", "평양"), ("평안남도", "평양시")),
    (("함북", "성진"), ("함경북도", "김책시")),
    (("평북", "후창"), ("량강도", "김형직군")),
    (("강원", "문천"), ("강원도", "문천시")),
]
RELS = [("brother", "M", "sibling"), ("sister", "F", "sibling"), ("father", "M", "child"),
        ("mother", "F", "child"), ("son", "M", "parent"), ("daughter", "F", "parent")]

def north(s):
    return {"이": "리", "유": "류", "노": "로", "양": "량", "임": "림", "여": "녀", "영": "령"}.get(s[0], s[0]) + s[1:] if s else s

south, persons = [], []
for i in range(1, 51):
    sur_s, sur_n = random.choice(SURNAMES)
    rel, sex, back = random.choice(RELS)
    given = random.choice(MALE if sex == "M" else FEMALE)
    (prov_s, county_s), (prov_n, county_n) = random.choice(PLACES)
    year = random.randint(1925, 1948)
    father = random.choice(MALE)
    app_given = random.choice(FEMALE + MALE)
    if back == "parent":      # the sought person is the applicant's child
        app_year = year - random.randint(20, 32)
    elif back == "child":     # the sought person is the applicant's parent
        app_year = year + random.randint(20, 32)
    else:
        app_year = year + random.choice([-8, -5, -3, 3, 5, 9])
    remembered = year + random.choice([0, 0, 0, 1, -1])  # remembered, not recorded
    lunar = random.random() < 0.3
    rid, aid, pid = f"S{i:04d}", f"A{i:04d}", f"N{i:04d}"
    south.append({
        "request_id": rid, "applicant_id": aid, "applicant_name": sur_s + app_given,
        "applicant_birth_date": f"{app_year}-{random.randint(1,12):02d}-{random.randint(1,28):02d}",
        "sought_name": sur_s + given, "sought_sex": sex, "sought_birth_year": remembered,
        "relationship": rel, "sought_father_name": sur_s + father if random.random() < 0.7 else "",
        "hometown_province": prov_s, "hometown_county": county_s, "hometown_township": "",
        "hometown_village": "", "registration_date": f"{random.randint(1988, 2015)}-0{random.randint(1,9)}-1{random.randint(0,9)}",
    })
    persons.append({
        "person_id": pid, "name": sur_n + north(given) if random.random() < 0.8 else sur_n + given,
        "sex": sex, "birth_date": f"{year}-{random.randint(1,12):02d}-{random.randint(1,28):02d}",
        "calendar": "lunar" if lunar else "solar", "father_name": sur_n + north(father),
        "birthplace_province": prov_n, "birthplace_county": county_n, "birthplace_village": "",
        "residence_province": random.choice(["평양시", "평안남도", "함경북도", "황해남도"]),
        "relatives_in_south": f"{back}:{sur_s + app_given}" if random.random() < 0.5 else "",
    })
# Persons on the North's list whom nobody in this sample seeks.
for j in range(51, 81):
    sur_s, sur_n = random.choice(SURNAMES)
    sex = random.choice("MF")
    given = random.choice(MALE if sex == "M" else FEMALE)
    _, (prov_n, county_n) = random.choice(PLACES)
    persons.append({
        "person_id": f"N{j:04d}", "name": sur_n + north(given), "sex": sex,
        "birth_date": f"{random.randint(1920, 1950)}-{random.randint(1,12):02d}-{random.randint(1,28):02d}",
        "calendar": "solar", "father_name": sur_n + north(random.choice(MALE)),
        "birthplace_province": prov_n, "birthplace_county": county_n, "birthplace_village": "",
        "residence_province": "평안남도", "relatives_in_south": "",
    })
random.shuffle(persons)
for name, rows in (("south.csv", south), ("north.csv", persons)):
    with open(name, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
print(f"{len(south)} requests, {len(persons)} persons (synthetic)")
