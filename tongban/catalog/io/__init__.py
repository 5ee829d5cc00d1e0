"""Reading and writing the catalogue as JSON and Excel (see ``docs/catalogue-format.md``)."""
