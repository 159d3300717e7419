"""Write the default Word template of `rammegraf report` (src/rammegraf/templates/statusrapport.docx).

The template is docxtpl's Jinja inside Word: the secretariat may open the file in Word,
change its styles (fonts, colours, the heading styles, the table style, margins) and
give it with `rammegraf report --template FILE.docx`. This script is how the shipped one
was made; run it again after changing it:

    .venv/bin/python tools/report_template.py
"""

from pathlib import Path

from docx import Document
from docx.shared import Mm, Pt

from rammegraf.rounddoc import landscape_a4

TARGET = Path(__file__).resolve().parents[1] / "src" / "rammegraf" / "templates" / "statusrapport.docx"


def table(document, header: list[str], row: list[str], loop: str, widths: list[int]):
    """A table with a header row and one row repeated by docxtpl's {%tr for %}."""
    t = document.add_table(rows=4, cols=len(header))
    t.style = "Table Grid"
    for c, words in enumerate(header):
        t.cell(0, c).text = words
        t.cell(0, c).paragraphs[0].runs[0].bold = True
    t.cell(1, 0).text = "{%tr for " + loop + " %}"
    for c, words in enumerate(row):
        cell = t.cell(2, c)
        for n, line in enumerate(words.split("\n")):
            paragraph = cell.paragraphs[0] if n == 0 else cell.add_paragraph()
            bold = line.startswith("**")
            run = paragraph.add_run(line.strip("*"))
            run.bold = bold
    t.cell(3, 0).text = "{%tr endfor %}"
    for c, width in enumerate(widths):
        for cell in t.columns[c].cells:
            cell.width = Mm(width)
    return t


def main() -> None:
    document = landscape_a4(Document(), margin=15)
    document.styles["Normal"].font.name = "DejaVu Sans"
    document.styles["Normal"].font.size = Pt(9)
    document.add_paragraph("{{ subtitle }}", style="Subtitle")
    document.add_paragraph("{{ title }}", style="Title")
    document.add_paragraph("{{ w.made }}")
    document.add_heading("{{ w.summary }}", level=1)
    document.add_heading("{{ w.phases }}", level=2)
    document.add_paragraph("{{ count_line }}: {{ phase_line }}.")
    document.add_paragraph("{{ chart_image }}")
    document.add_paragraph("{{ chart.alt }}", style="Caption")
    document.add_heading("{{ changes_heading }}", level=2)
    document.add_paragraph("{%p if not since %}")
    document.add_paragraph("{{ w.no_before }}")
    document.add_paragraph("{%p endif %}")
    document.add_paragraph("{%p for section in changes %}")
    document.add_heading("{{ section.heading }}", level=3)
    document.add_paragraph("{%p for item in section['items'] %}")
    document.add_paragraph("{{ item }}", style="List Bullet")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endfor %}")
    document.add_heading("{{ w.deadlines }}", level=2)
    document.add_paragraph("{{ overdue_line }}")
    table(document, ["{{ w.milestone }}", "{{ w.date }}", "{{ w.state }}", "{{ w.owner }}"],
          ["{{ d.label }} {{ d.cite }}", "{{ d.date_text }}", "{{ d.state_words }}", "{{ d.owners }}"],
          "d in deadlines", [90, 50, 35, 92])
    document.add_paragraph("{%p for area in areas %}")
    document.add_heading("{{ area.heading }}", level=1)
    document.add_paragraph("{%p if area.goals %}")
    document.add_heading("{{ w.goals }}", level=2)
    document.add_paragraph("{%p for g in area.goals %}")
    document.add_paragraph("{{ g.text }} {{ g.cite }}", style="List Bullet")
    document.add_paragraph("{%p endfor %}")
    document.add_paragraph("{%p endif %}")
    table(document, ["{{ w.initiative }}", "{{ w.tasks }}", "{{ status_heading }}"],
          ["**{{ i.name }} {{ i.cite }}\n{{ i.links }}", "{{ i.task_lines }}",
           "**{{ w.phase }}: {{ i.phase }} {{ i.status_cite }}\n{{ i.text }}\n{{ i.milestone_lines }}\n{{ i.reached_line }}"],
          "i in area.initiatives", [60, 70, 137])
    document.add_paragraph("{%p endfor %}")
    document.add_heading("{{ w.sources }}", level=1)
    document.add_paragraph("{%p for s in sources %}")
    document.add_paragraph("[{{ s.number }}] {{ s.label }} ({{ s.date }}) – {{ s.iri }}")
    document.add_paragraph("{%p endfor %}")
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    document.save(TARGET)
    print(f"wrote {TARGET}")


if __name__ == "__main__":
    main()
