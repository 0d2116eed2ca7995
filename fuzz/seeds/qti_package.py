"""Seeds of the `qti_package` fuzz target: small QTI 3.0 content packages.

Run from the repository root: `python3 fuzz/seeds/qti_package.py`. Writes
into `fuzz/corpus/qti_package/`:

- `official-<name>.zip`: one 1EdTech example of `tests/data/qti3-examples/`
  under a manifest without metadata (the target's defaults fill it in);
- `official-all.zip`: the four of them in one package;
- `ours-<id>.zip` and `ours-all.zip`: the items our writer produced in
  `tests/golden/qti/` under a manifest in the form `write_package` writes,
  with each item's LOM metadata from `item-bank/items/`.

Entries are deflated, as `write_package` writes them, and in the
`-stored` packages stored uncompressed, so that mutations reach the XML.
"""

import json
import pathlib
import zipfile

OUT = pathlib.Path("fuzz/corpus/qti_package")
OFFICIAL = ["TF-choice", "MultipleAnswer-choice-materials", "Order_913967682", "match_qti3"]
OURS = ["AUT-001", "AUT-005", "AUT-008", "AUT-022"]


def lom(item):
    parts = [
        "<lom:lom>",
        f"<lom:general><lom:identifier><lom:catalog>exam-engine</lom:catalog><lom:entry>{item['id']}</lom:entry></lom:identifier></lom:general>",
        f"<lom:lifeCycle><lom:version><lom:string>{item['version']}</lom:string></lom:version>",
        f"<lom:status><lom:source>exam-engine</lom:source><lom:value>{item['status']}</lom:value></lom:status></lom:lifeCycle>",
    ]
    if item.get("expected_seconds"):
        parts.append(
            f"<lom:educational><lom:typicalLearningTime><lom:duration>PT{item['expected_seconds']}S</lom:duration></lom:typicalLearningTime></lom:educational>"
        )
    for enemy in item.get("enemies") or []:
        parts.append(
            "<lom:relation><lom:kind><lom:source>exam-engine</lom:source><lom:value>enemy</lom:value></lom:kind>"
            f"<lom:resource><lom:identifier><lom:catalog>exam-engine</lom:catalog><lom:entry>{enemy}</lom:entry></lom:identifier></lom:resource></lom:relation>"
        )
    for purpose, source, key in [
        ("discipline", "domain", "domain"),
        ("competency", "task", "task"),
        ("skill level", "level", "level"),
        ("idea", "phase", "phase"),
    ]:
        parts.append(
            f"<lom:classification><lom:purpose><lom:source>LOMv1.0</lom:source><lom:value>{purpose}</lom:value></lom:purpose>"
            f"<lom:taxonPath><lom:source><lom:string>exam-engine:{source}</lom:string></lom:source>"
            f"<lom:taxon><lom:id>{item[key]}</lom:id></lom:taxon></lom:taxonPath></lom:classification>"
        )
    parts.append("</lom:lom>")
    return "".join(parts)


def manifest(resources):
    body = "".join(
        f'<resource identifier="ITEM-{i}" type="imsqti_item_xmlv3p0" href="{href}">'
        + (f"<metadata>{meta}</metadata>" if meta else "")
        + f'<file href="{href}"/></resource>'
        for i, (href, meta) in enumerate(resources)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<manifest xmlns="http://www.imsglobal.org/xsd/qti/qtiv3p0/imscp_v1p1" '
        'xmlns:lom="http://ltsc.ieee.org/xsd/LOM" identifier="MANIFEST-seed">'
        f"<organizations/><resources>{body}</resources></manifest>\n"
    )


def package(name, files, method):
    """files: (href, text, lom or None)."""
    with zipfile.ZipFile(OUT / name, "w", method) as z:
        z.writestr("imsmanifest.xml", manifest([(h, m) for h, _, m in files]))
        for href, text, _ in files:
            z.writestr(href, text)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    official = [
        (f"items/{n}.xml", pathlib.Path(f"tests/data/qti3-examples/{n}.xml").read_text(), None)
        for n in OFFICIAL
    ]
    bank = {}
    for path in pathlib.Path("item-bank/items").glob("*.json"):
        doc = json.loads(path.read_text())
        for item in doc["items"] if isinstance(doc, dict) else doc:
            bank[item["id"]] = item
    ours = [
        (f"items/{i}.xml", pathlib.Path(f"tests/golden/qti/{i}.xml").read_text(), lom(bank[i]))
        for i in OURS
    ]
    for name, files in [("official", official), ("ours", ours)]:
        for one in files:
            package(f"{name}-{pathlib.Path(one[0]).stem}.zip", [one], zipfile.ZIP_DEFLATED)
        package(f"{name}-all.zip", files, zipfile.ZIP_DEFLATED)
        package(f"{name}-all-stored.zip", files, zipfile.ZIP_STORED)


main()
