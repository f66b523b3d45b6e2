#include "app/cli.h"

int main(int argc, char** argv) { return stripehook::app::RunCli(argc, argv); }
