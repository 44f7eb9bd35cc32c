/// Gateway: the HTTP server (built in a later issue).
public enum Gateway {}
