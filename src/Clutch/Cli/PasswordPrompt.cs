using System.Text;

namespace Clutch.Cli;

/// <summary>Reads a new password: one line from stdin (<c>--password-stdin</c>), or twice from the terminal without echo.</summary>
public static class PasswordPrompt
{
    public static string Read(bool fromStdin, string userName)
    {
        string password;
        if (fromStdin)
        {
            password = Console.In.ReadLine() ?? "";
        }
        else
        {
            if (Console.IsInputRedirected)
            {
                throw new CliException("no terminal to ask for a password; pass it with --password-stdin.");
            }

            password = ReadHidden($"Password for {userName}: ");
            if (ReadHidden("Repeat password: ") != password)
            {
                throw new CliException("the passwords differ.");
            }
        }

        if (password.Length < 8)
        {
            throw new CliException("the password is shorter than 8 characters.");
        }

        return password;
    }

    private static string ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var text = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                break;
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }

        Console.Error.WriteLine();
        return text.ToString();
    }
}
