# pycld2 0.42: Compact Language Detector 2, the one call newsmon makes.

class error(Exception): ...

# (language name, language code, percent of the text, normalised score)
_Detail = tuple[str, str, int, float]

def detect(
    utf8Bytes: str | bytes,
    isPlainText: bool = False,
    hintTopLevelDomain: str = ...,
    hintLanguage: str = ...,
    hintLanguageHTTPHeaders: str = ...,
    hintEncoding: str = ...,
    bestEffort: bool = False,
) -> tuple[bool, int, tuple[_Detail, _Detail, _Detail]]: ...
