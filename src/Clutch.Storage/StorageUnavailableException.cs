namespace Clutch.Storage;

/// <summary>A store (catalog or blobs) cannot be reached right now; the caller may retry later (HTTP 503).</summary>
public sealed class StorageUnavailableException(string message, Exception? innerException = null) : Exception(message, innerException);
