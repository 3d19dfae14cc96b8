"""The API's page numbers."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    """DRF's, except that an empty `?page=` is an invalid page (404, "Invalid page.") as `?page=x` is, not page 1."""

    def get_page_number(self, request, paginator):
        if request.query_params.get(self.page_query_param) == "":
            return ""  # Django's paginator refuses it
        return super().get_page_number(request, paginator)
