using Refit;

namespace GrowthOps.Email.Integrations.Postmark;

/// <summary>Postmark's email API (one server token per call: each tenant has its own Postmark server).</summary>
[Headers("Accept: application/json")]
public interface IPostmarkApi
{
    /// <summary>Sends up to <see cref="PostmarkProvider.MaxBatch"/> messages; a 200 answers one result per message, in order.</summary>
    [Post("/email/batch")]
    Task<IApiResponse<List<PostmarkSendResult>>> SendBatchAsync([Header("X-Postmark-Server-Token")] string serverToken,
        [Body] IReadOnlyList<PostmarkMessage> messages, CancellationToken ct);
}
