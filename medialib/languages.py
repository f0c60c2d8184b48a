"""The languages medialib names: each one's name in its own words, and ffprobe's codes for it.

The one table both ingest (a new caption track's label) and the player (its caption menu) read.
"""

from __future__ import annotations

# Labels shown in the player's caption menu, in each language's own words.
LANGUAGE_LABELS = {
    "en": "English", "es": "Español", "fr": "Français", "de": "Deutsch", "pt": "Português",
    "it": "Italiano", "zh": "中文", "ht": "Kreyòl ayisyen", "ru": "Русский", "ar": "العربية",
    "vi": "Tiếng Việt", "ko": "한국어", "ja": "日本語", "pl": "Polski", "el": "Ελληνικά",
}
# ffprobe reports ISO 639-2 codes ("eng", "fre" or "fra"); the catalog uses ISO 639-1 ("en").
ISO639_2 = {
    "eng": "en", "spa": "es", "fre": "fr", "fra": "fr", "ger": "de", "deu": "de", "por": "pt",
    "ita": "it", "chi": "zh", "zho": "zh", "hat": "ht", "rus": "ru", "ara": "ar", "vie": "vi",
    "kor": "ko", "jpn": "ja", "pol": "pl", "gre": "el", "ell": "el",
}


def primary_language(lang: str) -> str:
    """The language of a tag without its region or script: "es-MX" -> "es"."""
    return lang.split("-")[0].lower()


def language_label(lang: str) -> str:
    """The name of language `lang` ("es-MX" -> "Español"); the code itself when it is not known."""
    return LANGUAGE_LABELS.get(primary_language(lang), lang)


# The link to a webcast's transcript in each language, in that language's own words (like the
# caption menu's labels, these are not translated into the page's language).
TRANSCRIPT_LINK_LABELS = {"en": "Transcript in English", "es": "Transcripción en español"}


def transcript_link_label(lang: str) -> str:
    """"Transcripción en español" for "es"; the language's own name when there is no wording."""
    return TRANSCRIPT_LINK_LABELS.get(primary_language(lang)) or language_label(lang)
