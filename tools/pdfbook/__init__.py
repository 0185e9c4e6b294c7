"""The PDF edition's parts (tools/build_pdf.py is the command).

- site.py: which pages, in which order, with which titles, read from _toc.yml and the built site
- chromium.py: headless Chromium printing one page of the site, or a generated page, to PDF
- pages.py: the generated pages: cover, contents, and the running footers
- binding.py: one PDF from the printed parts: links, outline, page labels
"""
