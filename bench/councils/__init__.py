"""A simulator of fictional councils' children's social care, written only from DOMAIN.md and
formats.md, that writes the files a finance team would import and the true outturn they lead to."""
