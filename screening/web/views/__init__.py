"""The station's views, one module per area; each returns data rendered as HTML or JSON
(:func:`screening.web.responses.page`)."""
