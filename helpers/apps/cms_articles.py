"""The sample newsroom both CMS back offices load: (title, section, author, status)."""

ARTICLES = [
    ("Council approves new bike lanes", "News", "Ada", "published"),
    ("Why the bike lanes matter", "Opinion", "Grace", "review"),
    ("Storm warning for the weekend", "News", "Grace", "published"),
    ("Ten years of the city library", "Culture", "Ada", "draft"),
    ("Library opens on Sundays", "News", "Linus", "draft"),
]
