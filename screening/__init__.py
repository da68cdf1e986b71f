"""screening: screen travel documents for fraud and feed smuggling indicators.

Pipeline layers (lower layers never import higher ones)::

    mrz/        pure MRZ text: formats, check digits, ICAO 9303 rules
    imaging/    the only code that touches pixels, OpenCV and Tesseract
    documents/  edition registry and edition-specific checks
    lists/      lost/stolen list store and matching
    findings    the shared finding model and the verdict rule table
    pipeline    assembles the stages for one document
    cli         the only module that prints
"""

__version__ = "0.1.0"
