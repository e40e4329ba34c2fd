using PitfallLab.Tests.Fixtures;

namespace PitfallLab.Tests;

[Collection(LabCollection.Name)]
public sealed class ValidationTests(LabFixture lab)
{
    [Theory]
    [InlineData("/pitfalls/blocking-io/bad?delayMs=99999", "delayMs", "between 0 and 5000")]
    [InlineData("/pitfalls/blocking-io/good?delayMs=-1", "delayMs", "between 0 and 5000")]
    [InlineData("/pitfalls/blocking-io/offloaded?userId=0", "userId", "between 1 and 5000")]
    [InlineData("/pitfalls/blocking-io/good?userId=abc", "userId", "not a valid int")]
    [InlineData("/pitfalls/blocking-io/bad?delayMs=1e9", "delayMs", "not a valid int")]
    public async Task ApiAnswersBadKnobsWithA400ProblemDetailsNamingTheParameter(string path, string parameter, string message)
    {
        await lab.Api.Client.AssertValidationProblemAsync(path, parameter, message);
    }

    [Theory]
    [InlineData("/users/1?delayMs=-5", "delayMs")]
    [InlineData("/users/1?delayMs=abc", "delayMs")]
    [InlineData("/users/1?failRate=2", "failRate")]
    [InlineData("/work/1?failIds=3,x", "failIds")]
    [InlineData("/work/1?cap=0", "cap")]
    public async Task BackendAnswersBadKnobsWithA400ProblemDetailsNamingTheParameter(string path, string parameter)
    {
        await lab.Backend.Client.AssertValidationProblemAsync(path, parameter);
    }
}
