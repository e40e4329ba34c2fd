using System.ComponentModel.DataAnnotations;

namespace PitfallLab.Api.Backend;

public sealed class BackendOptions
{
    [Required, Url]
    public string BaseUrl { get; set; } = "http://127.0.0.1:8081";

    [Range(1, 300)]
    public int TimeoutSeconds { get; set; } = 30;
}
