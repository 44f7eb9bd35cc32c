/// GenericCall: generic RPC client and mock server (built in a later issue).
public enum GenericCall {}
