namespace Clutch.Upload;

/// <summary>An upload refused with a status and one line a person can act on (twine prints it).</summary>
public sealed class UploadRejectedException(int status, string message) : Exception(message)
{
    public int Status { get; } = status;

    public static UploadRejectedException BadRequest(string message) => new(StatusCodes.Status400BadRequest, message);
}
