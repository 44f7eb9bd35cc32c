/// ShmIPC: shared-memory IPC compatible with shmipc (built in a later issue).
public enum ShmIPC {}
