"""How the HTML documents print: A4, with a header and page numbers of their own.

A browser's own print header says the date in the browser's zone (a server in
UTC printed "3/12/2026, 03:05" on a report of a WIB morning) and the file's path.
The documents carry their header in CSS page margin boxes instead, in the site's
zone and language, and number their pages ("Halaman 2 dari 5"); printed with the
browser's header turned off (``chromium --headless --no-pdf-header-footer
--print-to-pdf``, or "Headers and footers" unticked), that is all the margins show.
"""

from __future__ import annotations

from markupsafe import Markup

from cc_console.i18n import Translator

__all__ = ["css_string", "page_css"]


def css_string(text: str) -> str:
    """``text`` as a CSS string literal: quotes, backslashes and line ends escaped, and
    ``<`` too, so that no feed text can close the ``<style>`` element it stands in."""
    out = []
    for c in text:
        if c in '"\\<>&' or ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\{ord(c):X} ")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def page_css(left: str, right: str, t: Translator) -> Markup:
    """The ``@page`` rules: A4, ``left`` and ``right`` in the top margin, the page number
    and count at the bottom (trusted CSS: the texts are escaped as CSS strings)."""
    header = "font: 7.5pt 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif; color: #555;"
    page_of = t("print.page_of", page="\x00", pages="\x01")
    before, _, rest = page_of.partition("\x00")
    middle, _, after = rest.partition("\x01")
    counter = " ".join(
        x
        for x in (css_string(before) if before else "", "counter(page)",
                  css_string(middle) if middle else "", "counter(pages)",
                  css_string(after) if after else "")
        if x
    )  # fmt: skip
    return Markup(
        "@page { size: A4; margin: 18mm 14mm 16mm;\n"
        f"  @top-left {{ content: {css_string(left[:110])}; {header} }}\n"
        f"  @top-right {{ content: {css_string(right)}; {header} }}\n"
        f"  @bottom-center {{ content: {counter}; {header} }}\n"
        "}\n"
    )
