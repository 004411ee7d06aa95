from ninja import NinjaAPI

api = NinjaAPI(title="Homeward", version="1", urls_namespace="api")
