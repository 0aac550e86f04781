namespace DirectConnect.Platform.Errors;

/// <summary>One bad field of a request: its path as the client spelled it (lowerCamelCase proto path) and why.</summary>
public sealed record FieldViolation(string Field, string Description);

/// <summary>One failed precondition: a type (e.g. <c>STATE</c>), the subject it concerns, and why.</summary>
public sealed record PreconditionViolation(string Type, string Subject, string Description);

/// <summary>One exhausted quota: the subject (e.g. <c>account:acme/region:cn-north-1</c>) and what was exceeded.</summary>
public sealed record QuotaViolation(string Subject, string Description);

/// <summary>The resource an error is about.</summary>
public sealed record ResourceReference(string ResourceType, string ResourceName, string Description = "");
