// What nearly every test file names: the fixtures, the JSON of the lab's answers, direct PostgreSQL checks
// (Npgsql + Dapper), timing and status codes, xunit's output. Written once here instead of atop each file.
global using System.Diagnostics;
global using System.Net;
global using System.Text.Json;
global using Dapper;
global using Npgsql;
global using PitfallLab.Tests.Fixtures;
global using Xunit.Abstractions;
global using PitfallLab.LoadKit;
