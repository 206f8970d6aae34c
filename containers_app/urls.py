"""HTTP routes, one namespace per kind of object (`containers:detail`, `images:list`)."""

from django.urls import path

from .views import containers, images

containers_urls = (
    [
        path("", containers.container_list, name="list"),
        path("<str:ref>/", containers.container_detail, name="detail"),
    ],
    "containers",
)

images_urls = (
    [
        path("", images.image_list, name="list"),
        path("<path:ref>/", images.image_detail, name="detail"),
    ],
    "images",
)
