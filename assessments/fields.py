"""Form fields shared by the forms of every app."""

from django import forms


class CountedLength:
    """A text field whose length limit is checked by the server and counted live in the browser.

    Django would put the limit in a `maxlength` attribute, and browsers then cut pasted text at the limit
    without a word, so evidence is lost while the page says "Saved". Here the limit travels as
    `data-max-length` for the counter (static/js/char-count.js), and text over it is refused with an error
    beside the field while the form keeps what was typed.
    """

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        if attrs.pop("maxlength", None) is not None:
            attrs["data-max-length"] = str(self.max_length)
        return attrs


class CountedCharField(CountedLength, forms.CharField):
    pass


class CountedEmailField(CountedLength, forms.EmailField):
    pass
