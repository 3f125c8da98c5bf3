"""Three tests of the Django bookshelf with Django's TestCase and test Client."""

from helpers.serving.django_kernel import set_urls, setup_django

setup_django()

from django.test import TestCase  # noqa: E402

from helpers.apps.bookshelf_django import urls  # noqa: E402

DUNE = {"title": "Dune", "author": "Frank Herbert", "year": 1965}


class BookshelfTests(TestCase):
    """TestCase wraps each test in a transaction and rolls it back afterwards."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        set_urls("bookshelf", urls.urlpatterns)

    def test_1_add_then_list(self):
        added = self.client.post("/books", DUNE, content_type="application/json")
        self.assertEqual(added.status_code, 201)
        self.assertEqual([b["title"] for b in self.client.get("/books").json()], ["Dune"])

    def test_2_shelf_starts_empty(self):
        self.assertEqual(self.client.get("/books").json(), [])  # the book of test 1 was rolled back

    def test_3_bad_book_is_refused(self):
        refused = self.client.post("/books", {**DUNE, "year": "soon"}, content_type="application/json")
        self.assertEqual(refused.status_code, 422)
        self.assertEqual(self.client.get("/books").json(), [])
