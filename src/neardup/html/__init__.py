"""Saved web pages: ``lexer.py`` turns a page into tokens and an element table at exact offsets;
``extract.py`` finds the article in it, as blocks with exact offsets into the page's text."""

from __future__ import annotations

from neardup.html.extract import HtmlArticle, extract_article, visible_text

__all__ = ["HtmlArticle", "extract_article", "visible_text"]
