"""Find Norwegian left on a page that should be all English (the back office with ?lang=en).

The page's visible text and its attributes a person meets (title, aria-label, placeholder,
alt, value of buttons) are read with the standard library's HTML parser; text that is data
(a person's or an event's name, a municipality such as «Bodø») is passed in `data` and
removed first, since data stays in the language it was written in.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

# Words of our Norwegian UI that never occur in English text. Short, common ones, so a
# forgotten string is caught whatever it says.
_WORDS = """
    og ikke til med av på fra eller som har skal kan må alle ingen ny nytt nye
    lagre avbryt slett endre legg tilbake neste forrige velg søk vis skjul
    navn e-post epost telefon kommune arbeidssted stilling påmelding påmeldinger påmeldt
    arrangement arrangementer kurs deltaker deltakere venteliste plass plasser
    dato tid sted frist avlyst avlys avmeld avmeldt oppmøte fullført sertifisering
    sertifiseringer instruktør instruktører utløper gyldig brukere bruker passord logg
    innstillinger spørsmål svar melding meldinger sendt feil obligatorisk
    valgfritt hjelp oversikt statistikk rapport rapporter år måned uke dag dager
    hvem hva hvorfor allerede gjennom senere annen ukjent automatisk selv mangler lagret
    godkjent godkjente godkjenn godkjenning godkjenningen godkjenninger importert
    tilbakekall tilbakekalt avlyse avlyses endringslogg endringene kolonne kolonnen
    kolonner kolonnene filen rettet kilde kontroller gitt nr signatur deltakerliste
    deltakeren personen kommunen flytt alternativer svartype svaralternativer anonymisert
    logget lagret endret opprettet utkast publiser publisert rediger oppsett lenke lenken
    godkjenning godkjenninger kolonne kolonner fil filen ingenting brukeren skriv skjemaet
    bytt glemt sjekk siden gjelder uker kopi kopien aktiv deaktivert aldri tittel beskrivelse
    adresse senter kortnavn nettsted vertskommune gyldighet kapasitet rolle nettverk tegn
    """
NORWEGIAN_WORDS = frozenset(_WORDS.split())
NORWEGIAN_LETTERS = re.compile(r"[æøåÆØÅ]")
WORD = re.compile(r"[\wæøåÆØÅ-]+", re.UNICODE)
PERSON_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "aria-description")


class _VisibleText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden_depth += 1
        values = dict(attrs)
        for name in PERSON_ATTRIBUTES:
            if values.get(name):
                self.parts.append(values[name])
        if tag == "input" and values.get("type") in ("submit", "button") and values.get("value"):
            self.parts.append(values["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden_depth:
            self._hidden_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden_depth and data.strip():
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _VisibleText()
    parser.feed(html)
    return "\n".join(parser.parts)


def norwegian_left(html: str, data: tuple[str, ...] = ()) -> list[str]:
    """The Norwegian words and letters left in the page's text once `data` is taken out."""
    text = visible_text(html)
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    found = [word for word in WORD.findall(text) if word.lower() in NORWEGIAN_WORDS]
    found += [line.strip() for line in text.splitlines() if NORWEGIAN_LETTERS.search(line)]
    return sorted(set(found))
